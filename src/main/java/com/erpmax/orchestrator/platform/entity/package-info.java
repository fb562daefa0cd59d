/**
 * Types without technology that the whole product shares: roles, error codes, exit codes.
 */
package com.erpmax.orchestrator.platform.entity;
