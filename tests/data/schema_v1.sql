-- Hashiya project schema, version 1 (first release), frozen for the upgrade test.
PRAGMA application_id = 1213421889;
PRAGMA user_version = 1;
CREATE TABLE project_info (key VARCHAR NOT NULL, value VARCHAR NOT NULL, PRIMARY KEY (key));
CREATE TABLE documents (
    id INTEGER NOT NULL, name VARCHAR NOT NULL, path VARCHAR, text VARCHAR NOT NULL,
    sha256 VARCHAR(64) NOT NULL, meta JSON NOT NULL, imported_at VARCHAR NOT NULL,
    PRIMARY KEY (id), UNIQUE (sha256)
);
CREATE INDEX ix_documents_name ON documents (name);
CREATE TABLE annotators (id INTEGER NOT NULL, name VARCHAR NOT NULL, created_at VARCHAR NOT NULL, PRIMARY KEY (id), UNIQUE (name));
CREATE TABLE labels (
    id INTEGER NOT NULL, layer VARCHAR NOT NULL, name VARCHAR NOT NULL, color VARCHAR NOT NULL,
    shortcut VARCHAR, description VARCHAR NOT NULL, position INTEGER NOT NULL,
    PRIMARY KEY (id), UNIQUE (layer, name)
);
CREATE TABLE annotations (
    id INTEGER NOT NULL, uid VARCHAR(36) NOT NULL, document_id INTEGER NOT NULL, annotator_id INTEGER NOT NULL,
    layer VARCHAR NOT NULL, label VARCHAR NOT NULL, start INTEGER, "end" INTEGER, attrs JSON NOT NULL,
    provenance VARCHAR NOT NULL, created_at VARCHAR NOT NULL, updated_at VARCHAR NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT valid_span CHECK (("start" IS NULL AND "end" IS NULL) OR ("start" >= 0 AND "end" > "start")),
    UNIQUE (uid),
    FOREIGN KEY(document_id) REFERENCES documents (id) ON DELETE CASCADE,
    FOREIGN KEY(annotator_id) REFERENCES annotators (id) ON DELETE RESTRICT
);
CREATE INDEX ix_annotations_document_id ON annotations (document_id);
