// The official Ollama JavaScript client's chat(), streamed and not, against the server at argv[2]
// (e.g. http://127.0.0.1:PORT). Prints one JSON line of what it received; OfficialClientsIT checks it.
import { Ollama } from 'ollama';

const [host, model] = process.argv.slice(2);
const ollama = new Ollama({ host });
const messages = [
  { role: 'system', content: 'Answer in one sentence.' },
  { role: 'user', content: 'How many users does the cluster hold?' },
];

const whole = await ollama.chat({ model, messages, stream: false, options: { num_predict: 5 } });

const parts = [];
let last;
for await (const part of await ollama.chat({ model, messages, stream: true })) {
  parts.push(part.message.content);
  last = part;
}

console.log(JSON.stringify({
  whole: { role: whole.message.role, content: whole.message.content, done: whole.done,
    doneReason: whole.done_reason, evalCount: whole.eval_count, promptEvalCount: whole.prompt_eval_count },
  stream: { parts: parts.length, content: parts.join(''), done: last.done, doneReason: last.done_reason,
    evalCount: last.eval_count, promptEvalCount: last.prompt_eval_count },
}));
