/* moderation_privacy.c — the moderation's share of "Meine Daten herunterladen" and
 * of deleting an account (GDPR Art. 15, 17, 20; account.h).
 *
 * The export lists the reports the person sent and the blocks placed on their
 * account (with the reasons they were told). Deletion removes the reports (their
 * notes are the person's own words), the rate counters and the blocks: with the
 * account gone, none of them has a purpose. Contributions a moderator hid stay
 * as the processes keep them (processes_hooks.c), and the audit log keeps the
 * moderators' actions, as it keeps every action.
 */
#include "modules/account/account.h"
#include "modules/participation/moderation_internal.h"

static const char sql_export_reports[] =
    "SELECT target_kind, target_id, category, text, created_at FROM participation_reports WHERE reporter_id = $1 "
    "ORDER BY id";
static const char sql_export_blocks[] =
    "SELECT reason, COALESCE(until_at, 0), created_at, COALESCE(lifted_at, 0) FROM participation_blocks "
    "WHERE user_id = $1 ORDER BY id";

static int export_data(db_t *db, int64_t user_id, json_t *out)
{
    json_t *reports = json_array(), *blocks = json_array();
    json_object_set_new(out, "reports", reports);
    json_object_set_new(out, "blocks", blocks);
    db_stmt_t *st;
    if (db_prepare(db, sql_export_reports, &st) != 0)
        return -1;
    db_bind_int64(st, 1, user_id);
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(reports,
                              json_pack("{s:s,s:I,s:s,s:s,s:I}", "kind", db_column_text(st, 0), "id",
                                        (json_int_t)db_column_int64(st, 1), "category", db_column_text(st, 2), "text",
                                        db_column_text(st, 3), "created_at", (json_int_t)db_column_int64(st, 4)));
    db_reset(st);
    if (rc != DB_DONE || db_prepare(db, sql_export_blocks, &st) != 0)
        return -1;
    db_bind_int64(st, 1, user_id);
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(blocks, json_pack("{s:s,s:I,s:I,s:I}", "reason", db_column_text(st, 0), "until",
                                                (json_int_t)db_column_int64(st, 1), "created_at",
                                                (json_int_t)db_column_int64(st, 2), "lifted_at",
                                                (json_int_t)db_column_int64(st, 3)));
    db_reset(st);
    return rc == DB_DONE ? 0 : -1;
}

static const char *const sql_erase[] = {
    "DELETE FROM participation_reports WHERE reporter_id = $1",
    "DELETE FROM participation_rate WHERE user_id = $1",
    "DELETE FROM participation_blocks WHERE user_id = $1",
};

static int erase_data(db_t *db, int64_t user_id, json_t *kept)
{
    (void)kept; /* nothing of the moderation is kept */
    for (size_t i = 0; i < sizeof(sql_erase) / sizeof(sql_erase[0]); i++) {
        db_stmt_t *st;
        if (db_prepare(db, sql_erase[i], &st) != 0)
            return -1;
        db_bind_int64(st, 1, user_id);
        int rc = db_step(st);
        db_reset(st);
        if (rc != DB_DONE)
            return -1;
    }
    return 0;
}

static const account_data_provider_t moderation_data_provider = {
    .module = "moderation",
    .export_data = export_data,
    .erase_data = erase_data,
};

int moderation_privacy_register(void)
{
    return account_register_data_provider(&moderation_data_provider);
}
