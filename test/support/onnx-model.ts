/**
 * A tiny ONNX model written byte by byte, for tests of model evaluation: input `image`
 * float32 [1, 1, H, W] -> ReduceMean over axes 1, 2, 3 (keepdims 0) -> output `score` float32 [1].
 * The score is the mean of the model's input, so a test knows each case's score from its image.
 *
 * How it is made: the ModelProto protobuf (onnx/onnx.proto3) is encoded by hand with the few
 * wire types it needs (varint fields, length-delimited strings and messages): ir_version 7,
 * opset 13 of the default domain (ReduceMean takes `axes` as an attribute up to opset 17).
 * onnxruntime-node loads it; the unit test of the encoder runs it.
 */

function varint(value: number): number[] {
  const bytes: number[] = [];
  let v = value;
  while (v >= 0x80) {
    bytes.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  bytes.push(v);
  return bytes;
}

const key = (field: number, wireType: 0 | 2): number[] => varint(field * 8 + wireType);
const int = (field: number, value: number): number[] => [...key(field, 0), ...varint(value)];
const bytesField = (field: number, payload: readonly number[]): number[] => [...key(field, 2), ...varint(payload.length), ...payload];
const text = (field: number, value: string): number[] => bytesField(field, [...Buffer.from(value, 'utf8')]);

const FLOAT = 1;
const ATTRIBUTE_INT = 2;
const ATTRIBUTE_INTS = 7;

/** ValueInfoProto: a float32 tensor of the given shape. */
function tensorValue(name: string, shape: readonly number[]): number[] {
  const dims = shape.flatMap((d) => bytesField(1, int(1, d))); // TensorShapeProto.dim { dim_value }
  const tensorType = [...int(1, FLOAT), ...bytesField(2, dims)]; // TypeProto.Tensor { elem_type, shape }
  return [...text(1, name), ...bytesField(2, bytesField(1, tensorType))]; // { name, type { tensor_type } }
}

/** The model's bytes: `image` [1, 1, height, width] -> ReduceMean -> `score` [1]. */
export function meanModel(height: number, width: number): Uint8Array {
  const axes = [...text(1, 'axes'), ...int(20, ATTRIBUTE_INTS), ...[1, 2, 3].flatMap((a) => int(8, a))];
  const keepdims = [...text(1, 'keepdims'), ...int(20, ATTRIBUTE_INT), ...int(3, 0)];
  const node = [
    ...text(1, 'image'),
    ...text(2, 'score'),
    ...text(3, 'mean'),
    ...text(4, 'ReduceMean'),
    ...bytesField(5, axes),
    ...bytesField(5, keepdims),
  ];
  const graph = [
    ...bytesField(1, node),
    ...text(2, 'mean-of-image'),
    ...bytesField(11, tensorValue('image', [1, 1, height, width])),
    ...bytesField(12, tensorValue('score', [1])),
  ];
  const opset = [...text(1, ''), ...int(2, 13)];
  return Uint8Array.from([...int(1, 7), ...text(2, 'hilum-test'), ...bytesField(7, graph), ...bytesField(8, opset)]);
}
