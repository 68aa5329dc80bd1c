/**
 * The live web view ({@code -web HOST:PORT}): a Vert.x server with one page and a JSON API, each
 * answer a QMP command run through the machine's {@link org.jvmm.qmp.QmpMonitor}, and the
 * monitor's events pushed as server-sent events.
 */
package org.jvmm.web;
