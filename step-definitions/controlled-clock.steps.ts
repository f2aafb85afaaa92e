import { When } from '@cucumber/cucumber';
import { ControlledClock } from '../support/capabilities/controlled-clock.js';
import type { GenroWorld } from '../support/cucumber/world.js';

When(/^the proxy's clock moves on (\d+) (?:more )?days?$/, function (this: GenroWorld, days: string) {
  this.use(ControlledClock.forScenario).advance(Number(days) * 86_400);
});
