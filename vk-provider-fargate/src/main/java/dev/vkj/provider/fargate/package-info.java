/** Runs pods as AWS ECS Fargate tasks. */
package dev.vkj.provider.fargate;
