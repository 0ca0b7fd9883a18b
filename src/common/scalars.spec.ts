import Decimal from 'decimal.js';
import { DecimalScalar } from './scalars';

describe('Decimal scalar', () => {
  it('writes each Decimal as plain decimal text, the same text each time it is written', () => {
    const values = ['150.25', '-0.00000001', '1e-7', '123456789012345.5', '0', '-76.17'].map((t) => new Decimal(t));
    const texts = ['150.25', '-0.00000001', '0.0000001', '123456789012345.5', '0', '-76.17'];
    for (let round = 0; round < 2; round++) values.forEach((v, i) => expect(DecimalScalar.serialize(v)).toBe(texts[i]));
    // Equal values that are different objects, and strings, get the same text.
    expect(DecimalScalar.serialize(new Decimal('150.250'))).toBe('150.25');
    expect(DecimalScalar.serialize('2.50')).toBe('2.5');
  });
});
