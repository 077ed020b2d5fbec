import { createInterface, type Interface } from 'node:readline';

/**
 * Questions to the person at the keyboard. On a terminal a secret is read without echo;
 * otherwise answers are the lines of standard input, in order (a script or a test may pipe
 * them; a password in a pipe is the caller's choice, it never comes from an argument).
 */
export interface Prompter {
  ask(question: string): Promise<string>;
  secret(question: string): Promise<string>;
  close(): void;
}

export function terminalPrompter(input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Prompter {
  if (input.isTTY) return ttyPrompter(input, output);
  let lines: Interface | undefined;
  const queued: string[] = [];
  const waiting: ((line: string | undefined) => void)[] = [];
  let ended = false;
  const next = (): Promise<string | undefined> => {
    if (!lines) {
      lines = createInterface({ input, terminal: false });
      lines.on('line', (line) => (waiting.length ? waiting.shift()!(line) : queued.push(line)));
      lines.on('close', () => {
        ended = true;
        while (waiting.length) waiting.shift()!(undefined);
      });
    }
    if (queued.length) return Promise.resolve(queued.shift());
    if (ended) return Promise.resolve(undefined);
    return new Promise((resolve) => waiting.push(resolve));
  };
  const answer = async (question: string) => {
    output.write(question);
    const line = await next();
    output.write('\n');
    if (line === undefined) throw new PromptEnded(`no answer to '${question.trim()}' (standard input ended)`);
    return line.trim();
  };
  return { ask: answer, secret: answer, close: () => lines?.close() };
}

export class PromptEnded extends Error {
  override readonly name = 'PromptEnded';
}

function ttyPrompter(input: NodeJS.ReadStream, output: NodeJS.WriteStream): Prompter {
  const ask = (question: string) =>
    new Promise<string>((resolve) => {
      const rl = createInterface({ input, output, terminal: true });
      rl.question(question, (line) => {
        rl.close();
        resolve(line.trim());
      });
    });
  const secret = (question: string) =>
    new Promise<string>((resolve, reject) => {
      output.write(question);
      let typed = '';
      input.setRawMode(true);
      input.resume();
      const onData = (chunk: Buffer) => {
        for (const char of chunk.toString('utf8')) {
          if (char === '\r' || char === '\n') {
            done();
            output.write('\n');
            resolve(typed);
            return;
          }
          if (char === '\u0003') {
            done();
            output.write('\n');
            reject(new PromptEnded('cancelled'));
            return;
          }
          if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
          else typed += char;
        }
      };
      const done = () => {
        input.off('data', onData);
        input.setRawMode(false);
        input.pause();
      };
      input.on('data', onData);
    });
  return { ask, secret, close: () => undefined };
}
