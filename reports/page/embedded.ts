/**
 * Reading the page data a report embeds (`#report-data`): packed (reports/page-data.ts),
 * gzip-compressed and written in base64. The browser decompresses it (`DecompressionStream`), so
 * a long run opens without its trace being read or simulated again.
 */
import { type PackedPageData, type PageData, unpackPageData } from "../page-data.js";

/** The page data in the page's `#report-data` block, or undefined when it has none. */
export async function embeddedPageData(): Promise<PageData | undefined> {
  const base64 = document.getElementById("report-data")?.textContent?.trim() ?? "";
  if (base64 === "") return undefined;
  const text = await gunzip(base64);
  performance.mark("data:gunzip");
  const packed = JSON.parse(text) as PackedPageData;
  performance.mark("data:parse");
  return unpackPageData(packed);
}

async function gunzip(base64: string): Promise<string> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  performance.mark("data:base64");
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).text();
}
