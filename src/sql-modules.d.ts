/** SQL files are embedded as text into the compiled binary with `with { type: "text" }`. */
declare module "*.sql" {
  const text: string;
  export default text;
}
