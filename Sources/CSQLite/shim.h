#include <sqlite3.h>

// SQLITE_TRANSIENT is a cast macro Swift cannot import; name it here.
static inline sqlite3_destructor_type evstore_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}
