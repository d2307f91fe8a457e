#include "store/Schema.h"

namespace samtok::schema {

const std::vector<std::string>& migrations() {
    static const std::vector<std::string> all{
        // v1: the first schema.
        R"sql(
CREATE TABLE project_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE images (
  id       INTEGER PRIMARY KEY,
  path     TEXT NOT NULL UNIQUE,
  width    INTEGER NOT NULL CHECK (width > 0),
  height   INTEGER NOT NULL CHECK (height > 0),
  checksum TEXT NOT NULL UNIQUE CHECK (length(checksum) = 64),
  status   TEXT NOT NULL DEFAULT 'unlabelled'
           CHECK (status IN ('unlabelled', 'in_progress', 'done', 'reviewed')),
  added_at INTEGER NOT NULL
);
CREATE INDEX images_by_status ON images(status);

CREATE TABLE label_classes (
  id       INTEGER PRIMARY KEY,
  name     TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
  color    TEXT NOT NULL CHECK (color GLOB '#[0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f]'),
  position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE annotations (
  id           INTEGER PRIMARY KEY,
  image_id     INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  class_id     INTEGER REFERENCES label_classes(id) ON DELETE SET NULL,
  mask_height  INTEGER NOT NULL CHECK (mask_height > 0),
  mask_width   INTEGER NOT NULL CHECK (mask_width > 0),
  rle_counts   TEXT NOT NULL,
  bbox_x       INTEGER NOT NULL,
  bbox_y       INTEGER NOT NULL,
  bbox_w       INTEGER NOT NULL CHECK (bbox_w >= 0),
  bbox_h       INTEGER NOT NULL CHECK (bbox_h >= 0),
  area         INTEGER NOT NULL CHECK (area >= 0),
  source       TEXT NOT NULL CHECK (source IN ('click', 'brush', 'polygon', 'import')),
  caption      TEXT NOT NULL DEFAULT '',
  review_state TEXT NOT NULL DEFAULT 'unreviewed'
               CHECK (review_state IN ('unreviewed', 'accepted', 'rejected')),
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);
CREATE INDEX annotations_by_image ON annotations(image_id);
CREATE INDEX annotations_by_class ON annotations(class_id);

-- A mask covers its whole image, so stored sizes must agree.
CREATE TRIGGER annotations_mask_size_insert BEFORE INSERT ON annotations
WHEN NOT EXISTS (SELECT 1 FROM images WHERE id = NEW.image_id
                 AND width = NEW.mask_width AND height = NEW.mask_height)
 AND EXISTS (SELECT 1 FROM images WHERE id = NEW.image_id)
BEGIN SELECT RAISE(ABORT, 'mask size differs from its image size'); END;
CREATE TRIGGER annotations_mask_size_update BEFORE UPDATE OF mask_width, mask_height, image_id ON annotations
WHEN NOT EXISTS (SELECT 1 FROM images WHERE id = NEW.image_id
                 AND width = NEW.mask_width AND height = NEW.mask_height)
 AND EXISTS (SELECT 1 FROM images WHERE id = NEW.image_id)
BEGIN SELECT RAISE(ABORT, 'mask size differs from its image size'); END;

CREATE TABLE referring_expressions (
  id            INTEGER PRIMARY KEY,
  annotation_id INTEGER NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
  text          TEXT NOT NULL CHECK (length(trim(text)) > 0),
  created_at    INTEGER NOT NULL
);
CREATE INDEX referring_expressions_by_annotation ON referring_expressions(annotation_id);

-- Tokens are meaningless without the tokenizer that made them, so every token
-- row names one, and a tokenizer cannot be removed while tokens refer to it.
CREATE TABLE tokenizer_models (
  id                INTEGER PRIMARY KEY,
  name              TEXT NOT NULL,
  config            TEXT NOT NULL CHECK (json_valid(config)),
  checkpoint_sha256 TEXT NOT NULL UNIQUE CHECK (length(checkpoint_sha256) = 64),
  registered_at     INTEGER NOT NULL
);

CREATE TABLE tokens (
  annotation_id      INTEGER NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
  tokenizer_id       INTEGER NOT NULL REFERENCES tokenizer_models(id) ON DELETE RESTRICT,
  c0                 INTEGER NOT NULL CHECK (c0 >= 0),   -- below the tokenizer's codebook size,
  c1                 INTEGER NOT NULL CHECK (c1 >= 0),   -- which its config states
  reconstruction_iou REAL CHECK (reconstruction_iou IS NULL OR reconstruction_iou BETWEEN 0.0 AND 1.0),
  created_at         INTEGER NOT NULL,
  PRIMARY KEY (annotation_id, tokenizer_id)
) WITHOUT ROWID;
CREATE INDEX tokens_by_tokenizer ON tokens(tokenizer_id);
)sql",
        // v2: the text that MLLM tasks pair with regions.
        R"sql(
-- GRES: an expression about one image that refers to any number of its
-- regions, none included ("No target.").
CREATE TABLE image_expressions (
  id         INTEGER PRIMARY KEY,
  image_id   INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  text       TEXT NOT NULL CHECK (length(trim(text)) > 0),
  created_at INTEGER NOT NULL
);
CREATE INDEX image_expressions_by_image ON image_expressions(image_id);
CREATE TABLE image_expression_targets (
  expression_id INTEGER NOT NULL REFERENCES image_expressions(id) ON DELETE CASCADE,
  annotation_id INTEGER NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
  PRIMARY KEY (expression_id, annotation_id)
) WITHOUT ROWID;
CREATE INDEX image_expression_targets_by_annotation ON image_expression_targets(annotation_id);

-- GCG: a caption of the whole image whose phrases (character spans of the
-- UTF-8 text) are grounded in regions.
CREATE TABLE grounded_captions (
  image_id   INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
  text       TEXT NOT NULL CHECK (length(trim(text)) > 0),
  updated_at INTEGER NOT NULL
);
CREATE TABLE caption_phrases (
  image_id      INTEGER NOT NULL REFERENCES grounded_captions(image_id) ON DELETE CASCADE,
  begin_byte    INTEGER NOT NULL CHECK (begin_byte >= 0),
  end_byte      INTEGER NOT NULL CHECK (end_byte > begin_byte),
  annotation_id INTEGER NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
  PRIMARY KEY (image_id, begin_byte, annotation_id)
) WITHOUT ROWID;
CREATE INDEX caption_phrases_by_annotation ON caption_phrases(annotation_id);

-- Region VQA: questions about one region and their answers.
CREATE TABLE region_questions (
  id            INTEGER PRIMARY KEY,
  annotation_id INTEGER NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
  question      TEXT NOT NULL CHECK (length(trim(question)) > 0),
  answer        TEXT NOT NULL CHECK (length(trim(answer)) > 0),
  created_at    INTEGER NOT NULL
);
CREATE INDEX region_questions_by_annotation ON region_questions(annotation_id);
)sql",
        // v3: the undo history, kept with the project so that it survives a restart.
        R"sql(
CREATE TABLE edit_log (
  seq        INTEGER PRIMARY KEY,
  label      TEXT NOT NULL,
  image_id   INTEGER,           -- where the edit happened, for showing it; no foreign key: history outlives rows
  payload    TEXT NOT NULL CHECK (json_valid(payload)),
  undone     INTEGER NOT NULL DEFAULT 0 CHECK (undone IN (0, 1)),
  created_at INTEGER NOT NULL
);
)sql",
        // v4: a region drawn as a polygon keeps its vertices (its source shape), so that they can be moved later.
        R"sql(
ALTER TABLE annotations ADD COLUMN polygon TEXT CHECK (polygon IS NULL OR json_valid(polygon));
)sql",
    };
    return all;
}

}  // namespace samtok::schema
