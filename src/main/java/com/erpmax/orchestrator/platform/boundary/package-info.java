/**
 * HTTP plumbing shared by every resource: the JAX-RS application at /api, problem documents, the body size limit.
 */
package com.erpmax.orchestrator.platform.boundary;
