/**
 * The project settings that shape an evaluation's report: the minimum subgroup size below which
 * a subgroup (and a reliability bin's figures) is suppressed.
 */
import { DEFAULT_REPORT_OPTIONS } from './report';

/**
 * The smallest minimum subgroup size a project may set. Below five cases a subgroup's figures
 * describe individual people: with one or two positives, its sensitivity at a threshold says
 * whether each positive's score passed it, and its positives count is (nearly) a person's
 * label. Five is the smallest cell size disclosure-control threshold rules commonly use; the
 * default stays at ten.
 */
export const MINIMUM_SUBGROUP_SIZE_FLOOR = 5;
/** Above this every subgroup of a realistic sequestered set would be hidden. */
export const MINIMUM_SUBGROUP_SIZE_CEILING = 1000;

export const MINIMUM_SUBGROUP_SIZE_SETTING = 'evaluationMinimumSubgroupSize';

type Settings = Readonly<Record<string, string | number | boolean>> | undefined;

/** The problem with the project's minimum subgroup size, value-free; null when absent or valid. */
export function minimumSubgroupSizeProblem(settings: Settings): string | null {
  const value = settings?.[MINIMUM_SUBGROUP_SIZE_SETTING];
  if (value === undefined) return null;
  const n = typeof value === 'boolean' ? NaN : Number(value);
  return Number.isInteger(n) && n >= MINIMUM_SUBGROUP_SIZE_FLOOR && n <= MINIMUM_SUBGROUP_SIZE_CEILING
    ? null
    : `${MINIMUM_SUBGROUP_SIZE_SETTING} must be a whole number from ${MINIMUM_SUBGROUP_SIZE_FLOOR} to ${MINIMUM_SUBGROUP_SIZE_CEILING}`;
}

/**
 * The minimum subgroup size a report uses: the project's setting, or the default (10). Saving a
 * project refuses an invalid value; one that is invalid anyway (written around the API) gives the
 * default, never less than the floor.
 */
export function minimumSubgroupSizeOf(settings: Settings): number {
  return minimumSubgroupSizeProblem(settings) === null && settings?.[MINIMUM_SUBGROUP_SIZE_SETTING] !== undefined
    ? Number(settings[MINIMUM_SUBGROUP_SIZE_SETTING])
    : DEFAULT_REPORT_OPTIONS.minimumSubgroupSize;
}
