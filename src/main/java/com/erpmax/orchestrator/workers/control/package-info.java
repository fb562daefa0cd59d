/**
 * Running a claimed job through its handler, and the built-in handlers.
 */
package com.erpmax.orchestrator.workers.control;
