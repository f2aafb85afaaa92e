/**
 * An error that lists every problem found in a file the suite reads (the ledger, a CSV
 * fixture), one line each, so that a reader fixes them all in one go.
 */
export class ProblemsError extends Error {
  /** One line per problem, each naming where it is. */
  readonly problems: string[];

  constructor(name: string, problems: string[]) {
    super(problems.join('\n'));
    this.name = name;
    this.problems = problems;
  }
}
