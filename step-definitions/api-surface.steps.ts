import { Then, When } from '@cucumber/cucumber';
import { ApiSurface } from '../support/capabilities/api-surface.js';
import type { GenroWorld } from '../support/cucumber/world.js';

// The API's own description, and a command it does not have.

const surface = (world: GenroWorld) => world.use(ApiSurface.forScenario);

When('the application reads the description of the API and its documentation pages', async function (this: GenroWorld) {
  await surface(this).readDescription();
});

Then('the description lists the routes to submit and to list messages, and both pages show', function (this: GenroWorld) {
  surface(this).assertDescribesMessageRoutes();
});

When('the application calls a command the proxy does not have', async function (this: GenroWorld) {
  await surface(this).callUnknownCommand();
});

Then('the proxy answers with an error the application can read, saying the command is unknown', function (this: GenroWorld) {
  surface(this).assertUnknownCommandError();
});

When('the application calls each route the docs name, as the docs call it, for its own tenant', async function (this: GenroWorld) {
  await surface(this).findMissingRoutes();
});

Then('none of those routes answers that it is not there', function (this: GenroWorld) {
  surface(this).assertNoRouteMissing();
});
