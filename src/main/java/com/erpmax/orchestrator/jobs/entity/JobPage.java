package com.erpmax.orchestrator.jobs.entity;

import java.util.List;

/** One page of a job listing, newest first; {@code nextAfter} is the id to continue after, if there is more. */
public record JobPage(List<Job> jobs, Long nextAfter) {
}
