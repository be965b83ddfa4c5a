import type { Page } from 'playwright-core';

let clientSerial = 0;

/** Returns a client_id not used before in this process, so that no challenge replaces another. */
export function freshClientId(prefix: string): string {
  clientSerial += 1;
  return `${prefix}-${process.pid}-${clientSerial}`;
}

/** The five question types on one form, with the expected answers the bot would send. */
export const fiveQuestions = [
  { id: 'pet', prompt: 'What was the name of your first pet?', type: 'text', answer: 'Rex' },
  { id: 'acct', prompt: 'What are the last 4 digits of your account?', type: 'number', answer: '0042' },
  { id: 'dob', prompt: 'What is your date of birth?', type: 'date', answer: '1990-04-12' },
  {
    id: 'city',
    prompt: 'Where did you open the account?',
    type: 'choice',
    answer: 'ros',
    choices: [
      { id: 'ba', label: 'Buenos Aires' },
      { id: 'ros', label: 'Rosario' },
      { id: 'cba', label: 'Córdoba' },
    ],
  },
  { id: 'pin', prompt: 'Your app PIN', type: 'pin', answer: '7319' },
];

/** What a customer types for `fiveQuestions`, in day/month/year order, keyed by field name. */
export const fiveRightAnswers: Record<string, string> = {
  'answer.pet': 'rex',
  'answer.acct': '0042',
  'answer.dob': '12/04/1990',
  'answer.city': 'ros',
  'answer.pin': '7319',
};

/** The same answers with Arabic-Indic digits, as an Arabic keyboard types them. */
export const fiveRightAnswersArabicDigits: Record<string, string> = {
  'answer.pet': 'Rex',
  'answer.acct': '٠٠٤٢',
  'answer.dob': '١٢/٠٤/١٩٩٠',
  'answer.city': 'ros',
  'answer.pin': '٧٣١٩',
};

/** Fills text boxes by name and checks radio buttons by value, then leaves the form unsent. */
export async function fillAnswers(page: Page, answers: Record<string, string>): Promise<void> {
  for (const [name, value] of Object.entries(answers)) {
    const radio = page.locator(`input[type="radio"][name="${name}"][value="${value}"]`);
    if ((await radio.count()) > 0) await radio.check();
    else await page.fill(`input[name="${name}"]`, value);
  }
}
