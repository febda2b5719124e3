/**
 * The user pool's password policy, as the sign-up form states and pre-checks it. A copy of
 * `lambdas/personalization/contracts/accounts.py` PASSWORD_POLICY (a test keeps the two equal);
 * Cognito enforces the policy itself.
 */

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_NEEDS_LOWERCASE = true;
export const PASSWORD_NEEDS_UPPERCASE = true;
export const PASSWORD_NEEDS_DIGIT = true;
export const PASSWORD_NEEDS_SYMBOL = false;

export const PASSWORD_RULES = "At least 10 characters, with a lower-case letter, a capital letter and a digit.";

/** What is missing from a password, or null when it meets the policy. */
export function passwordProblem(password) {
  if (password.length < PASSWORD_MIN_LENGTH) return `Use at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (PASSWORD_NEEDS_LOWERCASE && !/[a-z]/.test(password)) return "Add a lower-case letter.";
  if (PASSWORD_NEEDS_UPPERCASE && !/[A-Z]/.test(password)) return "Add a capital letter.";
  if (PASSWORD_NEEDS_DIGIT && !/[0-9]/.test(password)) return "Add a digit.";
  if (PASSWORD_NEEDS_SYMBOL && !/[^A-Za-z0-9]/.test(password)) return "Add a symbol.";
  return null;
}
