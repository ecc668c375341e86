// The official OpenAI JavaScript client's chat.completions.create, streamed and not, against the OpenAI-compatible
// API at argv[2] (e.g. http://127.0.0.1:PORT/v1). Prints one JSON line of what it received; OfficialClientsIT checks it.
import OpenAI from 'openai';

const [baseURL, model] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0, timeout: 20_000 });
const messages = [
  { role: 'system', content: 'Answer in one sentence.' },
  { role: 'user', content: 'How many users does the cluster hold?' },
];

const whole = await client.chat.completions.create({ model, messages, max_tokens: 5 });

const stream = await client.chat.completions.create({
  model, messages, stream: true, stream_options: { include_usage: true },
});
const deltas = [];
let finishReason;
let usage;
for await (const chunk of stream) {
  for (const choice of chunk.choices) {
    if (choice.delta?.content) {
      deltas.push(choice.delta.content);
    }
    finishReason = choice.finish_reason ?? finishReason;
  }
  usage = chunk.usage ?? usage;
}

console.log(JSON.stringify({
  whole: { object: whole.object, role: whole.choices[0].message.role, content: whole.choices[0].message.content,
    finishReason: whole.choices[0].finish_reason, completionTokens: whole.usage.completion_tokens },
  stream: { deltas: deltas.length, content: deltas.join(''), finishReason,
    completionTokens: usage?.completion_tokens, promptTokens: usage?.prompt_tokens },
}));
