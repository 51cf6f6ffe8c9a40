import { z } from "zod";
import { acceleratorSchema, hardwareFileSchema } from "./schema/hardware.ts";
import { planScenarioSchema } from "./schema/plan.ts";
import { predictorFileSchema } from "./schema/predictor.ts";
import { stepScenarioSchema } from "./schema/scenario.ts";
import { seedHardwareSchema } from "./schema/seed-hardware.ts";
import { seedLayerSchema } from "./schema/seed-layer.ts";
import { seedScenarioSchema } from "./schema/seed-scenario.ts";
import { serveDeploymentSchema, validationSuiteSchema } from "./schema/validation.ts";

/** JSON Schemas for editor autocompletion of YAML/JSON inputs, by output file name. */
export function jsonSchemas(): Record<string, unknown> {
  return {
    "step-scenario.schema.json": z.toJSONSchema(stepScenarioSchema, { io: "input" }),
    "plan-scenario.schema.json": z.toJSONSchema(planScenarioSchema, { io: "input" }),
    "hardware-file.schema.json": z.toJSONSchema(hardwareFileSchema, { io: "input" }),
    "accelerator.schema.json": z.toJSONSchema(acceleratorSchema, { io: "input" }),
    "seed-hardware.schema.json": z.toJSONSchema(seedHardwareSchema, { io: "input" }),
    "seed-layer.schema.json": z.toJSONSchema(seedLayerSchema, { io: "input" }),
    "seed-scenario.schema.json": z.toJSONSchema(seedScenarioSchema, { io: "input" }),
    "predictor.schema.json": z.toJSONSchema(predictorFileSchema, { io: "input" }),
    "validation-suite.schema.json": z.toJSONSchema(validationSuiteSchema, { io: "input" }),
    "serve-deployment.schema.json": z.toJSONSchema(serveDeploymentSchema, { io: "input" }),
  };
}
