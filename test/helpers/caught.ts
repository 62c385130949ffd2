/** What the tests read off a rejection: the provider error code (when there is one) and the message. */
export interface Caught {
  code?: string;
  message: string;
}

/** The error a promise rejects with, so a test can check its code and message; throws when it resolves. */
export async function caught(p: Promise<unknown>): Promise<Caught> {
  try {
    await p;
  } catch (error) {
    return error as Caught;
  }
  throw new Error('expected the promise to reject');
}
