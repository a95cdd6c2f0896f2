/** Rate limiting shared by the core's controllers; an implementation detail, not embedding API. */
package dev.vkj.core.rate;
