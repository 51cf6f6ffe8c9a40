/** Built-in Hugging Face configs, keyed by HF id; provenance in SOURCES.md beside this file. */

import c7 from "./bigscience--bloom.json" with { type: "json" };
import c8 from "./codellama--CodeLlama-34b-Instruct-hf.json" with { type: "json" };
import c9 from "./deepseek-ai--DeepSeek-R1.json" with { type: "json" };
import c10 from "./deepseek-ai--DeepSeek-V2-Lite.json" with { type: "json" };
import c11 from "./deepseek-ai--DeepSeek-V3.json" with { type: "json" };
import c12 from "./facebook--opt-30b.json" with { type: "json" };
import c13 from "./facebook--opt-66b.json" with { type: "json" };
import c14 from "./google--gemma-2-9b-it.json" with { type: "json" };
import c15 from "./internlm--internlm-20b.json" with { type: "json" };
import c17 from "./meta-llama--Llama-2-7b-hf.json" with { type: "json" };
import c16 from "./meta-llama--Llama-2-70b-hf.json" with { type: "json" };
import c20 from "./meta-llama--Llama-3.1-8B.json" with { type: "json" };
import c19 from "./meta-llama--Llama-3.1-70B.json" with { type: "json" };
import c18 from "./meta-llama--Llama-3.1-405B.json" with { type: "json" };
import c21 from "./mistralai--Mistral-7B-v0.1.json" with { type: "json" };
import c22 from "./mistralai--Mixtral-8x7B-v0.1.json" with { type: "json" };
import c23 from "./moonshotai--Kimi-K2-Instruct.json" with { type: "json" };
import c24 from "./openai--gpt-oss-120b.json" with { type: "json" };
import c0 from "./Qwen--Qwen-72B.json" with { type: "json" };
import c1 from "./Qwen--Qwen1.5-MoE-A2.7B.json" with { type: "json" };
import c2 from "./Qwen--Qwen2-57B-A14B.json" with { type: "json" };
import c3 from "./Qwen--Qwen3-0.6B.json" with { type: "json" };
import c5 from "./Qwen--Qwen3-30B-A3B.json" with { type: "json" };
import c6 from "./Qwen--Qwen3-32B.json" with { type: "json" };
import c4 from "./Qwen--Qwen3-235B-A22B.json" with { type: "json" };
import c25 from "./tiiuae--falcon-7b.json" with { type: "json" };

/** Hugging Face id -> config.json object. */
export const BUILTIN_HF_CONFIGS: Readonly<Record<string, unknown>> = {
  "Qwen/Qwen-72B": c0,
  "Qwen/Qwen1.5-MoE-A2.7B": c1,
  "Qwen/Qwen2-57B-A14B": c2,
  "Qwen/Qwen3-0.6B": c3,
  "Qwen/Qwen3-235B-A22B": c4,
  "Qwen/Qwen3-30B-A3B": c5,
  "Qwen/Qwen3-32B": c6,
  "bigscience/bloom": c7,
  "codellama/CodeLlama-34b-Instruct-hf": c8,
  "deepseek-ai/DeepSeek-R1": c9,
  "deepseek-ai/DeepSeek-V2-Lite": c10,
  "deepseek-ai/DeepSeek-V3": c11,
  "facebook/opt-30b": c12,
  "facebook/opt-66b": c13,
  "google/gemma-2-9b-it": c14,
  "internlm/internlm-20b": c15,
  "meta-llama/Llama-2-70b-hf": c16,
  "meta-llama/Llama-2-7b-hf": c17,
  "meta-llama/Llama-3.1-405B": c18,
  "meta-llama/Llama-3.1-70B": c19,
  "meta-llama/Llama-3.1-8B": c20,
  "mistralai/Mistral-7B-v0.1": c21,
  "mistralai/Mixtral-8x7B-v0.1": c22,
  "moonshotai/Kimi-K2-Instruct": c23,
  "openai/gpt-oss-120b": c24,
  "tiiuae/falcon-7b": c25,
};
