import { PixelDataError } from '../errors';

/** Clean Pixel Data could not be applied to this file; the message is value-free. */
export class CleanPixelDataRefused extends PixelDataError {
  override readonly name = 'CleanPixelDataRefused';
}
