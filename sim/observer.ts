/**
 * A kernel observer: what the fuzzer's coverage signal listens to while a run goes, without a
 * trace. Every method is called synchronously from the kernel and must not steer the run; it only
 * counts. Node and endpoint numbers are positions (nodes first, then clients), so an observer
 * needs no names.
 */
export interface KernelObserver {
  /** A message of `type` left endpoint `from` for endpoint `to`. */
  message(from: number, to: number, type: string): void;
  /** Node `node` annotated a role (or term) different from its last one; `timeUs` is now. */
  role(node: number, role: string, term: number, timeUs: number): void;
  /** A scenario fault action of this kind (crash, partition, heal, ...) ran at `timeUs`. */
  fault(kind: string, timeUs: number): void;
  /** Node `node` passed the named probe (`ctx.probe`). */
  probe(node: number, name: string): void;
}
