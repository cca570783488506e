/**
 * Run errors and log lines are shown to every member of the workspace (and may be published):
 * they must not show the server's file layout. Each absolute path (POSIX, Windows, file://) is
 * cut to its last component, so "ENOENT: open '/srv/deeper/.data/artifacts/ab/abcd'" reads
 * "ENOENT: open '…/abcd'" and stack frames keep their file name and line. The server's own log
 * (pino) keeps the full text.
 */
const ABSOLUTE_PATH = /(?<![\w:/.\\-])(?:\/(?:[^\s'"`()<>,;:/\\]+)){2,}|(?<![\w])[A-Za-z]:\\(?:[^\s'"`()<>,;:\\]+\\)+[^\s'"`()<>,;:\\]+/g;

export function redactPaths(message: string): string {
  return message.replace(/file:\/\/(?=\/)/g, '').replace(ABSOLUTE_PATH, (path) => `…/${path.split(/[/\\]/).pop()}`);
}
