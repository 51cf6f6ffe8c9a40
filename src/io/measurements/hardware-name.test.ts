import { describe, expect, it } from "vitest";
import { HardwareRegistry } from "../../core/hardware/catalog.ts";
import { acceleratorNamed } from "./hardware-name.ts";

describe("acceleratorNamed(registry, device)", () => {
  const registry = new HardwareRegistry();
  it("reads nvidia-smi names and collector folder names, whatever the word order", () => {
    const named = (device: string) => acceleratorNamed(registry, device)?.name;
    expect(named("NVIDIA H100 80GB HBM3")).toBe("H100-SXM");
    expect(named("h100_sxm")).toBe("H100-SXM");
    // "A100 80GB PCIe" (nvidia-smi) is the catalog's A100-PCIe-80GB, not the SXM part.
    expect(named("NVIDIA A100 80GB PCIe")).toBe("A100-PCIe-80GB");
    expect(named("NVIDIA A100-SXM4-80GB")).toBe("A100-SXM4-80GB");
    expect(named("NVIDIA H100 PCIe")).toBe("H100-PCIe");
    // Whole words only: H20 is not H200, B200 is not GB200.
    expect(named("NVIDIA H20-3e")).toBe("H20-3E");
    expect(named("NVIDIA H200")).toBe("H200-SXM");
    expect(named("NVIDIA GB200")).toBe("GB200-NVL72");
    expect(named("NVIDIA B200")).toBe("B200-HGX");
    expect(named("Unknown Accelerator 9000")).toBeUndefined();
  });
  it("names the form factor or memory size the device states and the matched entry contradicts", () => {
    const conflicts = (device: string) => acceleratorNamed(registry, device)?.conflicts;
    // Exact parts, and entries whose names leave the attribute unsaid.
    expect(conflicts("NVIDIA H100 80GB HBM3")).toEqual([]);
    expect(conflicts("NVIDIA A100 80GB PCIe")).toEqual([]);
    expect(conflicts("NVIDIA H100 NVL")).toEqual([]);
    expect(conflicts("NVIDIA L40S")).toEqual([]);
    // AIConfigurator's folder names: SXM modules are what HGX boards carry; GB200's names say no form.
    expect(acceleratorNamed(registry, "b200_sxm")).toEqual({ name: "B200-HGX", conflicts: [] });
    expect(acceleratorNamed(registry, "gb200_sxm")).toEqual({ name: "GB200-NVL72", conflicts: [] });
    // Parts the catalog lacks fall back to a sibling, and say what differs.
    expect(acceleratorNamed(registry, "NVIDIA H200 NVL")).toEqual({
      name: "H200-SXM",
      conflicts: [{ deviceWords: ["nvl"], catalogWords: ["sxm", "sxm5"] }],
    });
    expect(conflicts("NVIDIA A100-PCIE-40GB")).toEqual([{ deviceWords: ["pcie"], catalogWords: ["sxm4"] }]);
    expect(acceleratorNamed(registry, "NVIDIA H100 94GB")).toEqual({
      name: "H100-SXM",
      conflicts: [{ deviceWords: ["94gb"], catalogWords: ["80gb"] }],
    });
  });
});
