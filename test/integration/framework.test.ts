/**
 * The framework suite (framework.suite.ts) against a fresh embedded master per test, or
 * against the real master named by KAIROS_TEST_MESOS_URL (framework.harness.ts).
 */
import { masterUnderTest } from './framework.harness.js';
import { frameworkSuite } from './framework.suite.js';

frameworkSuite(() => masterUnderTest());
