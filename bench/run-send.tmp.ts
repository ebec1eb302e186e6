import { run } from "/work/main/bench/src/send-throughput.ts";
const r = await run();
console.log(JSON.stringify(r, null, 1));
process.exit(0);
