/** HTMX and the stylesheet are embedded as text into the compiled binary. */
declare module "htmx.org/dist/htmx.min.js" {
  const text: string;
  export default text;
}

declare module "*.css" {
  const text: string;
  export default text;
}
