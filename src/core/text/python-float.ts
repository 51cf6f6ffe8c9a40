/**
 * Python's repr() of a float: the shortest round-trip digits (as JavaScript's), printed in fixed
 * notation when the decimal exponent is in [-4, 16) — always with a fractional part ("210.0") —
 * and in scientific notation otherwise with a signed two-digit exponent ("1e-05", "1.5e+16").
 *
 * @example
 * pythonFloat(0.014249999999999999); // "0.014249999999999999"
 * pythonFloat(55); // "55.0"
 */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  const [mantissa = "", exponentText = "0"] = Math.abs(x).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : "";
    const magnitude = String(Math.abs(exponent)).padStart(2, "0");
    return `${sign}${digits[0]}${fraction}e${exponent < 0 ? "-" : "+"}${magnitude}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  const integer = digits.slice(0, exponent + 1).padEnd(exponent + 1, "0");
  const fraction = digits.slice(exponent + 1);
  return `${sign}${integer}.${fraction === "" ? "0" : fraction}`;
}
