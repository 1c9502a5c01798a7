// Package dynamo stores the directory in Cartable's single DynamoDB table.
//
// # Key layout
//
// Every item has PK and SK; items that another request lists "from the other
// side" also carry GSI1PK and GSI1SK. Sort keys that order people embed
// directory.SortKey (French order, accents and case folded) before the id,
// so lists come back in the order French readers expect.
//
//	item          PK                        SK                               GSI1PK                      GSI1SK
//	school        SCH#<school>              #SCHOOL                          SCHOOLS                     <sortkey name>#<school>
//	group         SCH#<school>              GRP#<year>#<code>                -                           -
//	org alias     ORG#<source>:<acad>:<org> #ORG                             -                           -
//	subject       REF#SUBJECT               <code>                           -                           -
//	MEF           REF#MEF                   <code>                           -                           -
//	person        P#<person>                #PROFILE                         PURGE#<shard> when leaving  <purgeAfter>#<person>
//	external id   EXT#<kind>#<value>        #EXT                             -                           -
//	membership    P#<person>                MEM#<school>#<role>              SCH#<school>#MEMBERS        <role>#<sortkey name>#<person>
//	link          P#<person>                LNK#<year>#<school>#<code>#<role> GRP#<school>#<year>#<code> <role>#<sortkey name>#<person>
//	relation      P#<pupil>                 REL#<relative>                   P#<relative>#CHILDREN       <sortkey pupil name>#<pupil>
//	source        SOURCE#<source>           <academy>                        -                           -
//	import report IMPORT#<id>               #REPORT                          IMPORTS                     <started>#<id>
//	report issues IMPORT#<id>               ISSUE#<seq>                      -                           -
//	pending leave IMPORT#<id>               PENDING#<school>#<seq>           -                           -
//	address owner EMAIL#<lower-cased addr>  P#<person>                       -                           -
//
// A person's partition holds everything the person's records decide
// (profile, memberships, links, and for a pupil the relations), so the
// importer reads one partition per person with one consistent Query and
// writes only the items that changed. The other direction of each relation
// lives in GSI1, kept by DynamoDB.
//
// # Access patterns
//
//   - List schools: Query GSI1 GSI1PK=SCHOOLS.
//   - A school's classes and groups for a year: Query PK=SCH#<school>,
//     SK begins_with GRP#<year>#.
//   - A class's or group's members: Query GSI1 GSI1PK=GRP#<school>#<year>#<code>.
//   - A school's people by role: Query GSI1 GSI1PK=SCH#<school>#MEMBERS,
//     GSI1SK begins_with <role>#.
//   - A person, their schools, classes and (for a pupil) related persons:
//     Query PK=P#<person>.
//   - A guardian's children across schools: Query GSI1 GSI1PK=P#<guardian>#CHILDREN.
//   - Resolve an AAF structure join id or a OneRoster org: GetItem ORG#...
//   - People whose purge is due: Query GSI1 GSI1PK=PURGE#<shard>,
//     GSI1SK <= <today>, for each of the PurgeShards shards.
//   - Past imports: Query GSI1 GSI1PK=IMPORTS, newest first.
//   - The accounts that have an address (bounces, complaints): Query
//     PK=EMAIL#<lower-cased address>.
//
// No request path scans the table. GSI1 partitions that take many writes
// during an import (a school's members, the purge list) are either bounded
// by a school's size or sharded.
package dynamo
