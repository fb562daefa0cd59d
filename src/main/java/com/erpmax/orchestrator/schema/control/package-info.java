/**
 * The migration lock, the Liquibase changelog and the start-up state. Free of CDI where the migrator shares it (lock, migrations, database wait).
 */
package com.erpmax.orchestrator.schema.control;
