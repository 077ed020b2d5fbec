import { describeRegion, parseSourceSize, placeOf, previewBoxes } from '../../../web/src/curator/text-regions';

describe("the curator preview's OCR boxes", () => {
  it('reads the frame size the preview names, and nothing malformed', () => {
    expect(parseSourceSize('640x480')).toEqual({ width: 640, height: 480 });
    expect(parseSourceSize(' 2500x2048 ')).toEqual({ width: 2500, height: 2048 });
    for (const bad of [null, undefined, '', '640', '640x', 'x480', '0x480', '640X480', '-1x2', '640x480x3'])
      expect(parseSourceSize(bad)).toBeUndefined();
  });

  it('scales boxes from frame pixels onto a downscaled preview, each axis by its own ratio', () => {
    // A 2500 x 2048 radiograph previewed at 512 x 419 (fitted into 512 x 512, rounded).
    const [box] = previewBoxes(
      [{ x: 250, y: 1024, width: 500, height: 100, classes: ['date'] }],
      { width: 2500, height: 2048 },
      { width: 512, height: 419 },
    );
    expect(box).toEqual({ x: 51.2, y: 209.5, width: 102.4, height: 20.5, classes: ['date'] });
  });

  it('scales boxes up onto a preview larger than a small frame', () => {
    expect(
      previewBoxes([{ x: 10, y: 20, width: 30, height: 5, classes: [] }], { width: 256, height: 128 }, { width: 512, height: 256 }),
    ).toEqual([{ x: 20, y: 40, width: 60, height: 10, classes: [] }]);
  });

  it('clips a box at the edge and leaves out one wholly outside the frame', () => {
    const boxes = previewBoxes(
      [
        { x: 600, y: -10, width: 100, height: 40, classes: ['known-identifier'] },
        { x: 700, y: 10, width: 20, height: 20, classes: ['date'] },
      ],
      { width: 640, height: 480 },
      { width: 512, height: 384 },
    );
    expect(boxes).toEqual([{ x: 480, y: 0, width: 32, height: 24, classes: ['known-identifier'] }]);
  });

  it('says where a region is in words, by the third its centre falls in', () => {
    const frame = { width: 600, height: 300 };
    expect(placeOf({ x: 10, y: 10, width: 50, height: 20 }, frame)).toBe('top left');
    expect(placeOf({ x: 280, y: 140, width: 40, height: 20 }, frame)).toBe('middle');
    expect(placeOf({ x: 500, y: 250, width: 90, height: 40 }, frame)).toBe('bottom right');
    expect(placeOf({ x: 280, y: 10, width: 40, height: 20 }, frame)).toBe('top centre');
  });

  it('describes a region by its classes, place and frame box, never by any text', () => {
    const region = { x: 24.4, y: 20, width: 180.2, height: 22, classes: ['known-identifier', 'date'] };
    expect(describeRegion(region, { width: 640, height: 480 })).toBe(
      'known identifier, date, top left (x 24–204, y 20–42 of 640 × 480 pixels)',
    );
    expect(describeRegion(region, undefined)).toBe('known identifier, date (x 24–204, y 20–42 pixels)');
  });
});
