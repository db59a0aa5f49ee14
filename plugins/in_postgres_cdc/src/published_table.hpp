// SPDX-License-Identifier: Apache-2.0
// What the server says about one table of the publication, read at startup: the columns it
// replicates, its row filter and its primary key (pgoutput itself only flags replica identity
// columns, which is every column under REPLICA IDENTITY FULL).
#pragma once

#include <string>
#include <vector>

#include "cdc_config.hpp"

namespace dcx::pgcdc {

struct PublishedTable {
    TableName name;
    /// The replicated columns, in table order (pg_publication_tables.attnames); empty: all.
    std::vector<std::string> columns;
    /// The publication's row filter for the table (PostgreSQL 15), as SQL; empty: none.
    std::string row_filter;
    /// Primary key columns in key order; empty when the table has none.
    std::vector<std::string> primary_key;
};

}  // namespace dcx::pgcdc
