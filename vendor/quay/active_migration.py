from enum import Enum, unique

from data.migrationutil import DefinedDataMigration, MigrationPhase

ActiveDataMigration = None
