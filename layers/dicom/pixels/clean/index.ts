export {
  blankRegions,
  CLEAN_PIXEL_DATA_CODE,
  CLEAN_PIXEL_LAYOUTS,
  cleanPixelData,
  CleanPixelDataRefused,
  layoutAttributesOf,
  layoutFor,
  type CleanLayout,
  type CleanPixelDataResult,
  type CleanRegion,
} from './clean-pixel-data';
