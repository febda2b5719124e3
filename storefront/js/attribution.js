/**
 * Attribution: which API answer a shown item came from. Every answer of the personalization API carries
 * a `recommendationId` and, for a shopper in an experiment, the `experiment` ({name, variant}) that chose
 * it. The storefront echoes both on what follows from the answer: the product link
 * (`#/product/p1?rid=...&exp=name:variant`), the product page's ProductViewed, the cart line (ProductAdded)
 * and that line's OrderCompleted. A list the storefront made up itself (the API did not answer) has none.
 *
 * Everything read back (from the page's URL, or a cart kept in localStorage) is checked against the API's
 * rules first: one bad value would make the API refuse the whole batch of events it travels in.
 */

import {
  EXPERIMENT_NAME_PATTERN,
  IDENTIFIER_PATTERN,
  MAX_EXPERIMENT_NAME_LENGTH,
  MAX_RECOMMENDATION_ID_LENGTH,
} from "./limits.js";

export const RID_PARAM = "rid";
export const EXPERIMENT_PARAM = "exp";

export function isRecommendationId(value) {
  return typeof value === "string" && value.length <= MAX_RECOMMENDATION_ID_LENGTH && IDENTIFIER_PATTERN.test(value);
}

function isExperimentName(value) {
  return typeof value === "string" && value.length <= MAX_EXPERIMENT_NAME_LENGTH && EXPERIMENT_NAME_PATTERN.test(value);
}

/** `{name, variant}` when both are valid names, else null. */
export function validExperiment(experiment) {
  if (!experiment || typeof experiment !== "object") return null;
  const { name, variant } = experiment;
  return isExperimentName(name) && isExperimentName(variant) ? { name, variant } : null;
}

/**
 * `{recommendationId, experiment}` (experiment null outside one) from anything that has them: an API
 * answer, a cart line; null without a valid recommendationId (an experiment goes only with its answer's id).
 */
export function attributionOf(source) {
  if (!source || !isRecommendationId(source.recommendationId)) return null;
  return { recommendationId: source.recommendationId, experiment: validExperiment(source.experiment) };
}

/** The query string of a product link for an attribution: `?rid=...&exp=name:variant`, or "". */
export function attributionQuery(attribution) {
  const valid = attributionOf(attribution);
  if (!valid) return "";
  const query = `?${RID_PARAM}=${encodeURIComponent(valid.recommendationId)}`;
  // Experiment and variant names are letters, digits, `_` and `-`: nothing to encode.
  return valid.experiment ? `${query}&${EXPERIMENT_PARAM}=${valid.experiment.name}:${valid.experiment.variant}` : query;
}

/** The attribution a product link carried (a route's URLSearchParams), or null when absent or invalid. */
export function attributionFromQuery(query) {
  const recommendationId = query.get(RID_PARAM);
  if (!isRecommendationId(recommendationId)) return null;
  const [name, variant, ...rest] = (query.get(EXPERIMENT_PARAM) ?? "").split(":");
  const experiment = rest.length === 0 ? validExperiment({ name, variant }) : null;
  return { recommendationId, experiment };
}
