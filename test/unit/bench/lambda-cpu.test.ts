import { lambdaCpuSeconds } from '../../../bench/lambda-cpu';

describe("the functions' CPU out of the commons' process (the cost bench's Lambda duration at CPU time)", () => {
  it("takes out the main thread's emulators and the S3 thread, and keeps V8's and libuv's threads in", () => {
    // 10 s in all: main 1.5, S3 2, function threads 4.5, the rest (V8's platform threads, libuv's pool) 2.
    expect(lambdaCpuSeconds({ processSeconds: 10, mainThreadSeconds: 1.5, s3ThreadSeconds: 2, functionThreadsSeconds: 4.5 })).toBeCloseTo(
      6.5,
    );
  });

  it('is the whole process when the handlers ran on the main thread', () => {
    expect(lambdaCpuSeconds({ processSeconds: 10, mainThreadSeconds: 8, s3ThreadSeconds: 2, functionThreadsSeconds: 0 })).toBe(10);
  });

  it("is never less than the function threads' own CPU", () => {
    // Readings taken a moment apart can disagree slightly; the functions' own figure is the floor.
    expect(lambdaCpuSeconds({ processSeconds: 5, mainThreadSeconds: 1, s3ThreadSeconds: 1, functionThreadsSeconds: 3.5 })).toBe(3.5);
  });
});
