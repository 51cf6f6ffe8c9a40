import { z } from "zod";
import { acceleratorSchema, hardwareFileSchema } from "./schema/hardware.ts";
import { planScenarioSchema } from "./schema/plan.ts";
import { stepScenarioSchema } from "./schema/scenario.ts";

/** JSON Schemas for editor autocompletion of YAML/JSON inputs, by output file name. */
export function jsonSchemas(): Record<string, unknown> {
  return {
    "step-scenario.schema.json": z.toJSONSchema(stepScenarioSchema, { io: "input" }),
    "plan-scenario.schema.json": z.toJSONSchema(planScenarioSchema, { io: "input" }),
    "hardware-file.schema.json": z.toJSONSchema(hardwareFileSchema, { io: "input" }),
    "accelerator.schema.json": z.toJSONSchema(acceleratorSchema, { io: "input" }),
  };
}
