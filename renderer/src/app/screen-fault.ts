/** What a screen stopped by a rendering fault says (ScreenBoundary), and the error it keeps. */

/** The thrown value as an Error: React passes whatever was thrown, not always an Error. */
export function faultError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : `a value that is not an error was thrown (${Object.prototype.toString.call(thrown)})`);
}

/** One sentence for the user: which screen, what failed, that the rest still works. */
export function screenFaultSentence(screen: string, error: Error): string {
  const what = error.message.trim().replace(/\.$/, '') || error.name;
  return `The ${screen} screen stopped because of a fault in Priors: ${what}. The other screens still work.`;
}
