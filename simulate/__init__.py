"""Simulated shoppers against the local stack: `python -m simulate` (`make simulate`).

Shoppers drawn from the dataset's personas sign in through the twin's Cognito, each as the dataset
shopper it emulates (`custom:shopper_id`), browse the home page, categories and product pages
through the real API, and click, add and order by a click model that favours their persona's
categories. Every answer shown is a `RecommendationsShown` event; what follows from it carries its
`recommendationId` and `experiment`. At the end the run waits for the analytics store to hold what
it sent and prints the experiment report (`experiments.report`), with its plot.

The parts, each usable on its own:

- `simulate.model`: the click model and the personas (plain functions, no I/O);
- `simulate.population`: the shoppers drawn from the dataset, one `random.Random` each from the seed;
- `simulate.shopper`: one shopper's session as decisions on the answers it is given (no I/O);
- `simulate.client`: the storefront's calls over HTTP (Cognito, the API, events with 503 retries);
- `simulate.stack`: the running demo found through `endpoints.json`, or one started in the background;
- `simulate.run`: the shoppers on a small thread pool, and the tally of what the run sent;
- `simulate.outcomes`: waiting for the analytics store, and the report.
"""
