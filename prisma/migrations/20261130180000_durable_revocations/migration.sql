-- CreateTable
CREATE TABLE "auth"."revoked_tokens" (
    "jti" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "revoked_tokens_pkey" PRIMARY KEY ("jti")
);

-- CreateTable
CREATE TABLE "auth"."user_revocations" (
    "user_id" UUID NOT NULL,
    "generation" BIGINT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "user_revocations_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "auth"."login_failures" (
    "key" TEXT NOT NULL,
    "failures" INTEGER NOT NULL,
    "next_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "login_failures_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "revoked_tokens_expires_at_idx" ON "auth"."revoked_tokens"("expires_at");

-- CreateIndex
CREATE INDEX "user_revocations_expires_at_idx" ON "auth"."user_revocations"("expires_at");

-- CreateIndex
CREATE INDEX "login_failures_expires_at_idx" ON "auth"."login_failures"("expires_at");

