import { useMutation } from '@apollo/client/react';
import { SortableContext, useSortable, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { useState, type FormEvent } from 'react';
import { errorText } from './apollo';
import type { TagsQuery } from './gql/graphql';
import { ARCHIVE_TAG, CREATE_TAG, RESTORE_TAG, UPDATE_TAG } from './operations';

type Tag = TagsQuery['tags'][number];

/** Tags with colours and usage counts: create, rename, recolour, reorder (drag), archive and restore. */
export function TagsSidebar({ tags, onError }: { tags: Tag[]; onError(text: string): void }) {
  const active = tags.filter((t) => !t.isArchived).sort((a, b) => a.displayOrder - b.displayOrder);
  const archived = tags.filter((t) => t.isArchived);
  const [name, setName] = useState('');
  const [color, setColor] = useState('#3b82f6');
  const [error, setError] = useState<string | null>(null);
  const [createTag, creating] = useMutation(CREATE_TAG, { refetchQueries: ['Tags'] });
  const [restore] = useMutation(RESTORE_TAG, { refetchQueries: ['Tags'] });

  async function create(e: FormEvent) {
    e.preventDefault();
    try {
      await createTag({ variables: { input: { name: name.trim(), color } } });
      setName('');
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <aside className="sidebar" aria-label="Tags">
      <h2>Tags</h2>
      <p className="hint">Drag a tag onto a strategy to assign it.</p>
      <SortableContext items={active.map((t) => `tag:${t.id}`)} strategy={verticalListSortingStrategy}>
        <ul className="tags">
          {active.map((t) => (
            <TagItem key={t.id} tag={t} onError={onError} />
          ))}
        </ul>
      </SortableContext>
      <form onSubmit={create} className="newtag" aria-label="Create a tag">
        <label>
          New tag
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={50} />
        </label>
        <label>
          Colour
          <input type="color" value={color} onChange={(e) => setColor(e.target.value)} />
        </label>
        <button type="submit" disabled={creating.loading}>
          Add tag
        </button>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </form>
      {archived.length > 0 && (
        <details>
          <summary>Archived ({archived.length})</summary>
          <ul className="tags">
            {archived.map((t) => (
              <li key={t.id} className="tag archived">
                <span className="swatch" style={{ background: t.color }} />
                {t.name}
                <button
                  type="button"
                  className="link"
                  onClick={async () => {
                    try {
                      await restore({ variables: { id: t.id } });
                    } catch (e) {
                      onError(errorText(e));
                    }
                  }}
                >
                  Restore <span className="sr">{t.name}</span>
                </button>
              </li>
            ))}
          </ul>
        </details>
      )}
    </aside>
  );
}

function TagItem({ tag, onError }: { tag: Tag; onError(text: string): void }) {
  const sortable = useSortable({ id: `tag:${tag.id}` });
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(tag.name);
  const [error, setError] = useState<string | null>(null);
  const [update] = useMutation(UPDATE_TAG);
  const [archive] = useMutation(ARCHIVE_TAG, { refetchQueries: ['Tags'] });
  const style = { transform: CSS.Translate.toString(sortable.transform), transition: sortable.transition };

  async function save(patch: { name?: string; color?: string }) {
    try {
      await update({ variables: { input: { id: tag.id, ...patch } } });
      setError(null);
      setEditing(false);
    } catch (e) {
      setError(errorText(e));
    }
  }

  return (
    <li
      ref={sortable.setNodeRef}
      style={style}
      className={`tag ${sortable.isDragging ? 'dragging' : ''}`}
      data-tag-id={tag.id}
    >
      <span
        className="tag-drag"
        {...sortable.attributes}
        {...sortable.listeners}
        aria-label={`Tag ${tag.name}: drag onto a strategy or to reorder`}
      >
        <span className="swatch" style={{ background: tag.color }} />
        <span className="tag-name">{tag.name}</span>
        <span className="usage" title="Active strategies with this tag">
          {tag.usageCount}
        </span>
      </span>
      {editing ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save({ name: name.trim() });
          }}
          className="tag-edit"
        >
          <label className="sr" htmlFor={`tag-name-${tag.id}`}>
            Name of tag {tag.name}
          </label>
          <input id={`tag-name-${tag.id}`} value={name} onChange={(e) => setName(e.target.value)} autoFocus />
          <button type="submit">Save</button>
          <button
            type="button"
            onClick={() => {
              setEditing(false);
              setName(tag.name);
              setError(null);
            }}
          >
            Cancel
          </button>
        </form>
      ) : (
        <span className="tag-tools">
          <label className="sr" htmlFor={`tag-color-${tag.id}`}>
            Colour of tag {tag.name}
          </label>
          <input
            id={`tag-color-${tag.id}`}
            type="color"
            value={tag.color.toLowerCase()}
            onChange={(e) => void save({ color: e.target.value.toUpperCase() })}
          />
          <button type="button" className="icon" aria-label={`Rename tag ${tag.name}`} onClick={() => setEditing(true)}>
            ✎
          </button>
          <button
            type="button"
            className="icon small"
            aria-label={`Archive tag ${tag.name}`}
            onClick={async () => {
              try {
                await archive({ variables: { id: tag.id } });
              } catch (e) {
                onError(errorText(e));
              }
            }}
          >
            archive
          </button>
        </span>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </li>
  );
}
