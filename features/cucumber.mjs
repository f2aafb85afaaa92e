// Not a configuration: Cucumber runs from the project's root (cucumber.yaml there).
// Started here, it says so in one line and stops (support/reporting/wrong-folder.mjs).
import { refuseToRun } from '../support/reporting/wrong-folder.mjs';

refuseToRun();
