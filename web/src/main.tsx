/** The web app's entry: the root component (the stylesheet is linked from index.html). */
import { render } from "preact";
import { App } from "./app/app.tsx";

render(<App />, document.getElementById("app")!);
