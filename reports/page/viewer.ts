/**
 * The script of a report that is not a lab: it draws the embedded page data (the diagram, the
 * state strip, the history and the logs) and nothing else.
 */
import { drawDiagram } from "./diagram/diagram.js";
import { embeddedPageData } from "./embedded.js";

embeddedPageData().then(
  (data) => {
    if (data !== undefined) drawDiagram(data);
  },
  (error: unknown) => {
    document.getElementById("notice")?.append(`The diagram could not be drawn: ${(error as Error).message}`);
    document.body.setAttribute("data-ready", "true");
    throw error;
  },
);
