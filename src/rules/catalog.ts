import type { Cause } from "../findings.js";
import * as accountNotAssessed from "./account-not-assessed.js";
import * as duplicated from "./global-events-duplicated.js";
import * as flagIneffective from "./global-events-flag-ineffective.js";
import * as notDelivered from "./global-events-not-delivered.js";
import * as notRecorded from "./global-events-not-recorded.js";
import * as readsNotRecorded from "./global-events-reads-not-recorded.js";
import * as singleRegion from "./global-events-single-region.js";
import type { CausePlan, RuleDefinition, RuleId } from "./rule.js";

export { LEVEL_RANK, RULE_IDS, type Level, type RuleDefinition, type RuleId } from "./rule.js";

/**
 * Every rule, from its own module: adding one is a module, a line here, its test, and
 * `npm run docs`. The compiler checks that every rule id and every cause has exactly one home.
 */
export const RULES: Record<RuleId, RuleDefinition> = {
  "cloudtrail/global-events-not-recorded": notRecorded.definition,
  "cloudtrail/global-events-flag-ineffective": flagIneffective.definition,
  "cloudtrail/global-events-duplicated": duplicated.definition,
  "cloudtrail/global-events-reads-not-recorded": readsNotRecorded.definition,
  "cloudtrail/account-not-assessed": accountNotAssessed.definition,
  "cloudtrail/global-events-not-delivered": notDelivered.definition,
  "cloudtrail/global-events-single-region": singleRegion.definition,
};

/** The plan's group of each cause, from the rule that gives it (an account not assessed is grouped apart). */
export const CAUSE_PLANS: Record<Exclude<Cause, "not-assessed">, CausePlan> = {
  ...notRecorded.causes,
  ...notDelivered.causes,
  ...duplicated.causes,
  ...readsNotRecorded.causes,
  ...singleRegion.causes,
  ...flagIneffective.causes,
};
