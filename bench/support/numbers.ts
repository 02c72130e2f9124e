/** Rounds to digits decimals, so that reported figures do not pretend to more precision than they have. */
export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
