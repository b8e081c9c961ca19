/** A page the UI answers with instead of the one asked for: an error with a readable message. */
export class WebError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}

/** Sends the browser elsewhere (303, so that a form's POST becomes a GET). */
export class Redirect extends Error {
  constructor(readonly location: string) {
    super(`redirect to ${location}`);
  }
}
